def risky(k):
    if k == 0:
        raise ValueError("zero")
    return 10 // k


try:
    a = risky(0)
except ValueError as e:
    msg = str(e)
try:
    b = 1 / 0
except ZeroDivisionError:
    b = -1
finally:
    c = risky(5)
