items = [1, 2]
print("before", len(items))
value = items[5]
print("after")
