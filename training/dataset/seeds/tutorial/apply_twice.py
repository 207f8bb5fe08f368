def apply_twice(func, value):
    return func(func(value))


def shout(text):
    return text.upper() + "!"


print(apply_twice(shout, "hey"))
print(apply_twice(lambda n: n * 10, 3))
print(apply_twice(sorted, [3, 1, 2]))
