def is_even(n):
    if n == 0:
        return True
    return is_odd(n - 1)


def is_odd(n):
    if n == 0:
        return False
    return is_even(n - 1)


for value in [0, 3, 8, 11]:
    print(value, "even" if is_even(value) else "odd")
