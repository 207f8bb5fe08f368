points = [(0, 0), (3, 4), (-2, 1), (5, -1)]
xs = [x for x, _ in points]
ys = [y for _, y in points]
left, right = min(xs), max(xs)
bottom, top = min(ys), max(ys)
print("box:", (left, bottom), (right, top))
furthest = max(points, key=lambda p: p[0] ** 2 + p[1] ** 2)
print("furthest from origin:", furthest)
x, y = furthest
print(x, y)
