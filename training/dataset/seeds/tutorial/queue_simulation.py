queue = ["ann", "bo", "cy"]
arrivals = {1: "dee", 3: "eli"}
minute = 0
served = []
while queue:
    minute += 1
    customer = queue.pop(0)
    served.append(customer)
    if minute in arrivals:
        queue.append(arrivals[minute])
    print(minute, customer, queue)
print("served:", served)
