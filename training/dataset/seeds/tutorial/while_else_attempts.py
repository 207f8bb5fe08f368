password = "tiger"
tries = ["lion", "bear", "tiger", "wolf"]
i = 0
while i < len(tries):
    if tries[i] == password:
        print("unlocked after", i + 1, "attempts")
        break
    print("wrong:", tries[i])
    i += 1
else:
    print("locked out")
