a = [[1, 2], [3, 4]]
b = [[10, 20], [30, 40]]
added = [[x + y for x, y in zip(row_a, row_b)] for row_a, row_b in zip(a, b)]
doubled = [[2 * x for x in row] for row in a]
column_sums = [sum(row[i] for row in b) for i in range(2)]
print(added)
print(doubled)
print(column_sums)
