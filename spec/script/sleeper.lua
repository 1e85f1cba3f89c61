require("stdnse").sleep((...))
