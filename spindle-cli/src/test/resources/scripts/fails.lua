local function inner()
  error("script failed here")
end
inner()
