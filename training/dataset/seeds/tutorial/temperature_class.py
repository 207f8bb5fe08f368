class Temperature:
    def __init__(self, celsius):
        self.celsius = celsius

    @property
    def fahrenheit(self):
        return self.celsius * 9 / 5 + 32

    @classmethod
    def from_fahrenheit(cls, f):
        return cls((f - 32) * 5 / 9)


t = Temperature(25)
print(t.fahrenheit)
body = Temperature.from_fahrenheit(98.6)
print(round(body.celsius, 1))
