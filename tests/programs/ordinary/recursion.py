def fact(n):
    if n <= 1:
        return 1
    sub = fact(n - 1)
    return n * sub


x = fact(3)
