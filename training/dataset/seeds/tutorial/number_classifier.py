values = [-4, 0, 7, 12, -1, 3]
positives = 0
negatives = 0
zeros = 0
for v in values:
    if v > 0:
        positives += 1
        kind = "even" if v % 2 == 0 else "odd"
        print(v, "is positive and", kind)
    elif v < 0:
        negatives += 1
        print(v, "is negative")
    else:
        zeros += 1
        print(v, "is zero")
print(positives, negatives, zeros)
