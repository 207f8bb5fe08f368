runners = ["Ola", "Ken", "Sue", "Max"]
podium = {place: name for place, name in enumerate(runners, start=1) if place <= 3}
numbered = [f"{i}. {name}" for i, name in enumerate(runners)]
print(podium)
print(numbered)
