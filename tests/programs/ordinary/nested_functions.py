def outer(a):
    b = a + 1

    def inner(c):
        return b * c

    return inner(2)


r = outer(1)
