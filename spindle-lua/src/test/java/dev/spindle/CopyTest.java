package dev.spindle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import party.iroiro.luajava.Lua;
import party.iroiro.luajava.lua54.Lua54;

/**
 * copy.lua's encoding, in a bare Lua state: a single number or string takes a short path in encode and decode;
 * its bytes must be those of the general encoding, so that either side can read what the other wrote.
 */
class CopyTest {
  private Lua lua;

  @BeforeEach
  void load() throws IOException {
    lua = new Lua54();
    lua.openLibraries();
    byte[] src;
    try (InputStream in = CopyTest.class.getClassLoader().getResourceAsStream("spindle/copy.lua")) {
      assertNotNull(in, "spindle/copy.lua on the class path");
      src = in.readAllBytes();
    }
    lua.load(LuaHost.direct(src), "copy.lua");
    lua.getGlobal("load");
    lua.pCall(1, 1);
    lua.setGlobal("copy");
  }

  @AfterEach
  void close() {
    lua.close();
  }

  /** Runs {@code chunk}; returns what it returns (nil: "ok"). */
  private String run(String chunk) {
    lua.load(LuaHost.direct(chunk.getBytes(StandardCharsets.UTF_8)), "test");
    lua.pCall(0, 1);
    String r = lua.isNil(-1) ? "ok" : lua.toString(-1);
    lua.pop(1);
    return r;
  }

  @Test
  void oneScalar_encodesAsTheGeneralEncodingDoes_andDecodesToItself() {
    assertEquals("ok", run("""
        local values = { 0, 1, -1, 12345, math.maxinteger, math.mininteger, 0.0, -0.0, 1.5, -2.25, 1e308,
          math.huge, -math.huge, 0 / 0, 2^53, "", "a", ("x"):rep(40), ("y"):rep(41), "with\\0zero", ("z"):rep(100000) }
        for i, v in ipairs(values) do
          local fast = copy.encode("item", 1, v)
          -- two values (v, nil) take the general path: a count, then each value's bytes
          local general = copy.encode("item", 2, v, nil)
          local expected = string.pack("<I4", 1) .. general:sub(5, -2)
          if fast ~= expected then return ("value %d (%s): fast path bytes differ"):format(i, tostring(v)) end
          local back = copy.decode(fast)
          local same = (v ~= v and back ~= back) or (back == v and math.type(back) == math.type(v)
            and (v ~= 0 or 1 / v == 1 / back)) -- -0.0 stays -0.0
          if not same then return ("value %d (%s) came back as %s"):format(i, tostring(v), tostring(back)) end
          local g1, g2 = copy.decode(general)
          if not ((v ~= v and g1 ~= g1) or g1 == v) or g2 ~= nil then return ("value %d: general decode"):format(i) end
          if select("#", copy.decode(fast)) ~= 1 then return ("value %d: decode returned more than one value"):format(i) end
        end
        """));
  }

  @Test
  void otherSingleValues_andSeveralValues_takeTheGeneralPath() {
    assertEquals("ok", run("""
        for _, v in ipairs { true, false } do
          if copy.decode(copy.encode("item", 1, v)) ~= v then return "boolean " .. tostring(v) end
        end
        if select("#", copy.decode(copy.encode("item", 1, nil))) ~= 1 then return "nil" end
        local t = copy.decode(copy.encode("item", 1, { 1, "two", { 3.0 } }))
        if t[1] ~= 1 or t[2] ~= "two" or math.type(t[3][1]) ~= "float" then return "table" end
        local a, b, c = copy.decode(copy.encode("item", 3, 7, "s", 2.5))
        if a ~= 7 or b ~= "s" or c ~= 2.5 then return "three values" end
        if select("#", copy.decode(copy.encode("item", 0))) ~= 0 then return "no values" end
        """));
  }

  @Test
  void pushBytes_reusesItsBufferWithoutMixingStrings() {
    // a short string, one that makes the per-thread buffer grow, one too large for it, and a short one again
    byte[][] all = {"abc".getBytes(StandardCharsets.UTF_8), new byte[1000], new byte[70_000], {0, 1, 2}};
    all[1][999] = 7;
    all[2][69_999] = 9;
    for (byte[] b : all) LuaValues.pushBytes(lua, b);
    for (int i = all.length - 1; i >= 0; i--) {
      ByteBuffer got = lua.toBuffer(-1);
      byte[] bytes = new byte[got.remaining()];
      got.get(bytes);
      assertEquals(ByteBuffer.wrap(all[i]), ByteBuffer.wrap(bytes), "string " + i);
      lua.pop(1);
    }
  }
}
