import math

n = 8
product = 1
for factor in range(2, n + 1):
    product *= factor
print(product)
print(product == math.factorial(n))
