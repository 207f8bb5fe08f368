readings = [12, 8, 15, -3, 7, -9]
position = -1
for i, r in enumerate(readings):
    if r < 0:
        position = i
        break
    print("ok reading", r)
print("first negative at index", position)
