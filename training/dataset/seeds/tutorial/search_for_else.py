inventory = ["bolt", "nut", "washer", "screw"]
wanted = ["nut", "rivet"]

for item in wanted:
    for index, name in enumerate(inventory):
        if name == item:
            print(item, "found at", index)
            break
    else:
        print(item, "not in stock")
