class Employee:
    def __init__(self, name, salary):
        self.name = name
        self.salary = salary

    def monthly_pay(self):
        return self.salary / 12


class Manager(Employee):
    def __init__(self, name, salary, bonus):
        super().__init__(name, salary)
        self.bonus = bonus

    def monthly_pay(self):
        return super().monthly_pay() + self.bonus / 12


staff = [Employee("Ivy", 36000), Manager("Raj", 60000, 12000)]
for person in staff:
    print(person.name, round(person.monthly_pay(), 2))
