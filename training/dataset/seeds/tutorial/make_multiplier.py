def make_multiplier(factor):
    def multiply(value):
        return value * factor
    return multiply


double = make_multiplier(2)
triple = make_multiplier(3)
nums = [1, 4, 7]
print([double(n) for n in nums])
print([triple(n) for n in nums])
print(double(triple(5)))
