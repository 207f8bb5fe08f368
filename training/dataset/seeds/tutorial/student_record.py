class Student:
    def __init__(self, name):
        self.name = name
        self.scores = []

    def add_score(self, score):
        self.scores.append(score)

    def average(self):
        if not self.scores:
            return 0.0
        return sum(self.scores) / len(self.scores)

    def __repr__(self):
        return f"Student({self.name!r}, avg={self.average():.1f})"


kim = Student("Kim")
for s in [88, 92, 79]:
    kim.add_score(s)
print(kim)
print(Student("Lou"))
