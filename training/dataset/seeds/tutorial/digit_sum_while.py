number = 987654
digits = 0
total = 0
while number > 0:
    digit = number % 10
    total += digit
    digits += 1
    number //= 10
print("digits:", digits, "sum:", total)
