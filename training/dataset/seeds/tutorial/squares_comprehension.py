squares = [n * n for n in range(1, 9)]
odd_squares = [s for s in squares if s % 2]
print(squares)
print(odd_squares)
print(sum(squares) - sum(odd_squares))
