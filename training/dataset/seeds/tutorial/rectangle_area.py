class Rectangle:
    def __init__(self, width, height):
        self.width = width
        self.height = height

    def area(self):
        return self.width * self.height

    def perimeter(self):
        return 2 * (self.width + self.height)

    def is_square(self):
        return self.width == self.height


shapes = [Rectangle(3, 4), Rectangle(5, 5), Rectangle(10, 1)]
for r in shapes:
    print(r.width, r.height, r.area(), r.perimeter(), r.is_square())
