package dev.pilotlight.runner;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * {@link JsonBinder}'s leaf conversions: JSON numbers, strings and booleans to primitives,
 * wrappers, big numbers, characters, enums, base64 {@code byte[]} and string-built value types.
 */
final class JsonScalars {
  private JsonScalars() {}

  static Object scalar(Object json, Class<?> wrapper) {
    if (wrapper == Boolean.class) {
      if (json instanceof Boolean) {
        return json;
      }
      if (json instanceof String s && (s.equals("true") || s.equals("false"))) {
        return Boolean.valueOf(s);
      }
      throw mismatch(json, wrapper);
    }
    if (wrapper == Character.class) {
      if (json instanceof String s && s.length() == 1) {
        return Character.valueOf(s.charAt(0));
      }
      if (json instanceof Number n) {
        return Character.valueOf((char) n.intValue());
      }
      throw mismatch(json, wrapper);
    }
    Number n;
    if (json instanceof Number number) {
      n = number;
    } else if (json instanceof String s) {
      try {
        n = new BigDecimal(s.trim());
      } catch (NumberFormatException e) {
        throw mismatch(json, wrapper);
      }
    } else {
      throw mismatch(json, wrapper);
    }
    if (wrapper == Integer.class) {
      return Integer.valueOf(n.intValue());
    } else if (wrapper == Long.class) {
      return Long.valueOf(n.longValue());
    } else if (wrapper == Double.class) {
      return Double.valueOf(n.doubleValue());
    } else if (wrapper == Float.class) {
      return Float.valueOf(n.floatValue());
    } else if (wrapper == Short.class) {
      return Short.valueOf(n.shortValue());
    } else if (wrapper == Byte.class) {
      return Byte.valueOf(n.byteValue());
    } else if (wrapper == BigInteger.class) {
      return n instanceof BigInteger ? n : new BigDecimal(n.toString()).toBigInteger();
    } else if (wrapper == BigDecimal.class) {
      return n instanceof BigDecimal ? n : new BigDecimal(n.toString());
    } else if (wrapper.isInstance(n)) {
      return n;
    }
    throw mismatch(json, wrapper);
  }

  static byte[] bytes(Object json) {
    if (json instanceof String s) {
      try {
        return Base64.getMimeDecoder().decode(s);
      } catch (IllegalArgumentException e) {
        return Base64.getUrlDecoder().decode(s);
      }
    }
    if (json instanceof List<?> list) {
      byte[] result = new byte[list.size()];
      for (int i = 0; i < result.length; i++) {
        result[i] = ((Byte) scalar(list.get(i), Byte.class)).byteValue();
      }
      return result;
    }
    throw mismatch(json, byte[].class);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  static Object enumConstant(Object json, Class<?> raw) {
    if (json instanceof String s) {
      for (Object constant : raw.getEnumConstants()) {
        if (((Enum) constant).name().equals(s)) {
          return constant;
        }
      }
      for (Object constant : raw.getEnumConstants()) {
        if (((Enum) constant).name().equalsIgnoreCase(s)) {
          return constant;
        }
      }
    }
    throw mismatch(json, raw);
  }

  /** A value type built from a JSON string or number, or null when the class offers no way. */
  static Object fromScalar(Object json, Class<?> raw) {
    Class<?> argType = json instanceof String ? String.class : long.class;
    Object arg = json instanceof String ? json : Long.valueOf(((Number) json).longValue());
    try {
      if (json instanceof String) {
        String[] factories = {"valueOf", "parse", "fromString"};
        for (String factory : factories) {
          Method m = staticFactory(raw, factory, String.class);
          if (m == null) {
            m = staticFactory(raw, factory, CharSequence.class);
          }
          if (m != null) {
            return m.invoke(null, arg);
          }
        }
      }
      Constructor<?> constructor = raw.getConstructor(argType);
      return constructor.newInstance(arg);
    } catch (NoSuchMethodException e) {
      return null;
    } catch (InvocationTargetException e) {
      throw new IllegalArgumentException("cannot convert " + json + " to " + raw.getName() + ": " + e.getCause(), e);
    } catch (ReflectiveOperationException e) {
      return null;
    }
  }

  static Method staticFactory(Class<?> raw, String name, Class<?> param) {
    try {
      Method m = raw.getMethod(name, param);
      return Modifier.isStatic(m.getModifiers()) && raw.isAssignableFrom(m.getReturnType()) ? m : null;
    } catch (NoSuchMethodException e) {
      return null;
    }
  }

  static Object defaultValue(Class<?> primitive) {
    if (primitive == boolean.class) {
      return Boolean.FALSE;
    }
    if (primitive == char.class) {
      return Character.valueOf('\0');
    }
    return scalar(Integer.valueOf(0), wrapperOf(primitive));
  }

  static Class<?> wrapperOf(Class<?> primitive) {
    if (primitive == int.class) {
      return Integer.class;
    } else if (primitive == long.class) {
      return Long.class;
    } else if (primitive == boolean.class) {
      return Boolean.class;
    } else if (primitive == double.class) {
      return Double.class;
    } else if (primitive == float.class) {
      return Float.class;
    } else if (primitive == short.class) {
      return Short.class;
    } else if (primitive == byte.class) {
      return Byte.class;
    } else if (primitive == char.class) {
      return Character.class;
    }
    throw new IllegalArgumentException("cannot bind JSON to " + primitive);
  }

  static IllegalArgumentException mismatch(Object json, Type type) {
    String kind;
    if (json instanceof Map) {
      kind = "object";
    } else if (json instanceof List) {
      kind = "array";
    } else if (json instanceof String) {
      kind = "string";
    } else if (json instanceof Number) {
      kind = "number " + json;
    } else {
      kind = String.valueOf(json);
    }
    return new IllegalArgumentException("cannot convert JSON " + kind + " to " + type.getTypeName());
  }
}
