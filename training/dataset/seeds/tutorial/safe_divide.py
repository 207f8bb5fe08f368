def safe_divide(a, b):
    try:
        result = a / b
    except ZeroDivisionError:
        print("cannot divide", a, "by zero")
        return None
    return result


print(safe_divide(10, 4))
print(safe_divide(3, 0))
print(safe_divide(-9, 3))
