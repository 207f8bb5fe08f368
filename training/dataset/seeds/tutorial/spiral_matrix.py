n = 4
grid = [[0] * n for _ in range(n)]
top, bottom, left, right = 0, n - 1, 0, n - 1
value = 1
while top <= bottom and left <= right:
    for c in range(left, right + 1):
        grid[top][c] = value
        value += 1
    top += 1
    for r in range(top, bottom + 1):
        grid[r][right] = value
        value += 1
    right -= 1
    for c in range(right, left - 1, -1):
        grid[bottom][c] = value
        value += 1
    bottom -= 1
    for r in range(bottom, top - 1, -1):
        grid[r][left] = value
        value += 1
    left += 1
for row in grid:
    print(row)
