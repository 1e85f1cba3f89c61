-- A spec file with one passing and one failing case, to test the runner itself.
local spec = require "spindle.spec"
spec.it("passes", function() spec.eq(1, 1) end)
spec.it("fails", function() spec.eq(1, 2, "on purpose") end)
return spec.run()
