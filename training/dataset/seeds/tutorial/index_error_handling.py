queue = ["a", "b"]
positions = [0, 1, 5, -1]
for pos in positions:
    try:
        print(pos, queue[pos])
    except IndexError:
        print(pos, "is out of range for length", len(queue))
try:
    [].pop()
except IndexError as e:
    print("pop failed:", e)
