triangles = []
total = 0
n = 1
while len(triangles) < 8:
    total += n
    triangles.append(total)
    n += 1
print(triangles)
print([t for t in triangles if t % 2 == 0])
