def matmul(a, b):
    n, m, p = len(a), len(b), len(b[0])
    out = [[0] * p for _ in range(n)]
    for i in range(n):
        for j in range(p):
            for k in range(m):
                out[i][j] += a[i][k] * b[k][j]
    return out


left = [[1, 2], [3, 4]]
right = [[5, 6], [7, 8]]
product = matmul(left, right)
for row in product:
    print(row)
