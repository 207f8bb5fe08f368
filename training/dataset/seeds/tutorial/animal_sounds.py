class Animal:
    def __init__(self, name):
        self.name = name

    def speak(self):
        return "..."

    def introduce(self):
        return f"{self.name} says {self.speak()}"


class Dog(Animal):
    def speak(self):
        return "woof"


class Cat(Animal):
    def speak(self):
        return "meow"


pets = [Dog("Rex"), Cat("Tom"), Animal("Generic")]
for pet in pets:
    print(pet.introduce())
