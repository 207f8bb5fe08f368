def dot(a, b):
    return sum(value * b[i] for i, value in a.items() if i in b)


def to_dense(vec, size):
    return [vec.get(i, 0) for i in range(size)]


u = {0: 2, 3: 5, 7: 1}
v = {3: 4, 5: 9, 7: 3}
print(dot(u, v))
print(to_dense(u, 8))
