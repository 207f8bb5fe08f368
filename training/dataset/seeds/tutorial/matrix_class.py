class Matrix:
    def __init__(self, rows):
        self.rows = rows

    def shape(self):
        return len(self.rows), len(self.rows[0])

    def scale(self, k):
        return Matrix([[k * v for v in row] for row in self.rows])

    def trace(self):
        return sum(self.rows[i][i] for i in range(min(self.shape())))

    def __repr__(self):
        return f"Matrix({self.rows})"


m = Matrix([[2, 0, 1], [3, 5, 4], [1, 1, 7]])
print(m.shape(), m.trace())
print(m.scale(2))
