def compose(f, g):
    return lambda x: f(g(x))


def add_one(x):
    return x + 1


def square(x):
    return x * x


square_then_add = compose(add_one, square)
add_then_square = compose(square, add_one)
print(square_then_add(4))
print(add_then_square(4))
