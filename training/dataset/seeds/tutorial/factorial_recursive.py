def factorial(n):
    if n <= 1:
        return 1
    return n * factorial(n - 1)


for k in [0, 1, 5, 10]:
    print(k, factorial(k))
