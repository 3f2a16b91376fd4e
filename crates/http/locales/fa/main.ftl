app-name = پیوند
list-count = { $count } رکورد
