size = 4
identity = [[1 if r == c else 0 for c in range(size)] for r in range(size)]
for row in identity:
    print(row)
flat = [value for row in identity for value in row]
print(flat.count(1), len(flat))
