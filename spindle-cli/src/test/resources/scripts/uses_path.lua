print(require("pathmod").name)
