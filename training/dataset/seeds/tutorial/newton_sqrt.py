def newton_sqrt(x, tolerance=1e-10):
    guess = x / 2 if x > 1 else 1.0
    steps = 0
    while abs(guess * guess - x) > tolerance:
        guess = (guess + x / guess) / 2
        steps += 1
    return guess, steps


for value in [2, 81, 0.25]:
    root, steps = newton_sqrt(value)
    print(value, round(root, 6), steps)
