local stdnse = require "stdnse"
stdnse.new_thread(function() error("worker failed, nobody asked") end)
stdnse.sleep(0.01)
print("main ends fine")
