def countdown(n):
    while n > 0:
        yield n
        n -= 1


seen = []
for value in countdown(3):
    seen.append(value * 10)
squares = {k: k * k for k in seen}
print(squares)
