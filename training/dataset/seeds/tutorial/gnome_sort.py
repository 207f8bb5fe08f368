pots = [34, 2, 10, -9, 7]
pos = 0
while pos < len(pots):
    if pos == 0 or pots[pos] >= pots[pos - 1]:
        pos += 1
    else:
        pots[pos], pots[pos - 1] = pots[pos - 1], pots[pos]
        pos -= 1
print(pots)
