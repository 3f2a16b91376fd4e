app-name = Peyvand
list-count = { $count } records
