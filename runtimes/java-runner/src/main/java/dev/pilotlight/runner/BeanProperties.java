package dev.pilotlight.runner;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The JSON properties of a POJO class, found by reflection once per class: getters and public
 * fields for output, setters and fields for input.
 *
 * <p>Lombok names the accessors of a {@code boolean isBase64Encoded} field {@code
 * isBase64Encoded()}/{@code setBase64Encoded()}; the JSON key is the field name, as with AWS's
 * event classes, so both directions map such a property to the field's name.
 */
final class BeanProperties {
  private static final ClassValue<BeanProperties> CACHE =
      new ClassValue<BeanProperties>() {
        @Override
        protected BeanProperties computeValue(Class<?> type) {
          return new BeanProperties(type);
        }
      };

  private final Class<?> type;
  private volatile Getter[] getters;
  private volatile Map<String, Setter> setters;
  private volatile Map<String, Setter> settersByLowerCase;
  /** Final instance fields without a setter, by lower-case name: data a JSON key cannot reach. */
  private volatile Map<String, String> finalFieldsByLowerCase;

  private BeanProperties(Class<?> type) {
    this.type = type;
  }

  static BeanProperties of(Class<?> type) {
    return CACHE.get(type);
  }

  /** A readable property: a getter method or a public field. */
  record Getter(String name, Method method, Field field) {
    Object get(Object bean) {
      try {
        return method != null ? method.invoke(bean) : field.get(bean);
      } catch (InvocationTargetException e) {
        throw new IllegalArgumentException(
            "getter " + method.getName() + " of " + bean.getClass().getName() + " threw " + e.getCause(),
            e.getCause());
      } catch (IllegalAccessException e) {
        throw new IllegalArgumentException("cannot read property " + name + " of " + bean.getClass().getName(), e);
      }
    }
  }

  /** A writable property: a one-argument setter or a field, with its generic type. */
  record Setter(String name, Type type, Method method, Field field) {
    void set(Object bean, Object value) {
      try {
        if (method != null) {
          method.invoke(bean, value);
        } else {
          field.set(bean, value);
        }
      } catch (InvocationTargetException e) {
        throw new IllegalArgumentException(
            "setter " + method.getName() + " of " + bean.getClass().getName() + " threw " + e.getCause(),
            e.getCause());
      } catch (IllegalAccessException e) {
        throw new IllegalArgumentException("cannot set property " + name + " of " + bean.getClass().getName(), e);
      }
    }
  }

  /** Readable properties sorted by name, so output is deterministic. */
  Getter[] getters() {
    Getter[] result = getters;
    if (result == null) {
      result = findGetters();
      getters = result;
    }
    return result;
  }

  /**
   * The setter for a JSON key: the exact name, then without an {@code is} prefix, then ignoring
   * case (AWS's event JSON uses keys such as {@code Records} for a {@code records} property).
   * Returns null when the class has no such property; unknown keys are ignored, as in AWS.
   */
  Setter setter(String key) {
    Map<String, Setter> exact = setters;
    if (exact == null) {
      findSetters();
      exact = setters;
    }
    Setter setter = exact.get(key);
    if (setter == null && key.length() > 2 && key.startsWith("is") && Character.isUpperCase(key.charAt(2))) {
      setter = exact.get(decapitalize(key.substring(2)));
    }
    if (setter == null) {
      setter = settersByLowerCase.get(key.toLowerCase(Locale.ROOT));
    }
    return setter;
  }

  /**
   * The name of the final field, with no setter, that {@code key} names (ignoring case), or null:
   * the class holds such data but cannot receive it.
   */
  String finalField(String key) {
    if (setters == null) {
      findSetters();
    }
    return finalFieldsByLowerCase.get(key.toLowerCase(Locale.ROOT));
  }

  private Getter[] findGetters() {
    Map<String, Getter> byName = new HashMap<>();
    for (Method m : type.getMethods()) {
      if (Modifier.isStatic(m.getModifiers()) || m.getParameterCount() != 0 || m.isBridge()
          || m.getDeclaringClass() == Object.class) {
        continue;
      }
      String name = m.getName();
      Class<?> returns = m.getReturnType();
      String property;
      if (name.startsWith("get") && name.length() > 3 && returns != void.class) {
        property = decapitalize(name.substring(3));
      } else if (name.startsWith("is") && name.length() > 2
          && (returns == boolean.class || returns == Boolean.class)) {
        property = decapitalize(name.substring(2));
      } else {
        continue;
      }
      if (findField(property) == null) {
        Field lombokBoolean = findField("is" + capitalize(property));
        if (lombokBoolean != null) {
          property = lombokBoolean.getName();
        }
      }
      m.trySetAccessible();
      byName.putIfAbsent(property, new Getter(property, m, null));
    }
    for (Field f : type.getFields()) {
      if (!Modifier.isStatic(f.getModifiers())) {
        byName.putIfAbsent(f.getName(), new Getter(f.getName(), null, f));
      }
    }
    Getter[] result = byName.values().toArray(new Getter[0]);
    Arrays.sort(result, ByName.INSTANCE);
    return result;
  }

  private synchronized void findSetters() {
    if (setters != null) {
      return;
    }
    Map<String, Setter> exact = new HashMap<>();
    Map<String, String> finals = new HashMap<>();
    // Fields first, so that a setter of the same name replaces its field.
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        int mod = f.getModifiers();
        if (Modifier.isFinal(mod) && !Modifier.isStatic(mod) && !f.isSynthetic()) {
          finals.putIfAbsent(f.getName().toLowerCase(Locale.ROOT), f.getName());
        }
        if (Modifier.isStatic(mod) || Modifier.isFinal(mod) || f.isSynthetic() || exact.containsKey(f.getName())) {
          continue;
        }
        if (f.trySetAccessible()) {
          exact.put(f.getName(), new Setter(f.getName(), f.getGenericType(), null, f));
        }
      }
    }
    for (Method m : type.getMethods()) {
      String name = m.getName();
      if (name.length() > 3 && name.startsWith("set") && m.getParameterCount() == 1 && !m.isBridge()
          && !Modifier.isStatic(m.getModifiers())) {
        m.trySetAccessible();
        String property = decapitalize(name.substring(3));
        exact.put(property, new Setter(property, m.getGenericParameterTypes()[0], m, null));
      }
    }
    Map<String, Setter> lower = new HashMap<>();
    for (Setter s : exact.values()) {
      lower.putIfAbsent(s.name().toLowerCase(Locale.ROOT), s);
    }
    finals.keySet().removeAll(lower.keySet());
    finalFieldsByLowerCase = finals;
    settersByLowerCase = lower;
    setters = exact;
  }

  private Field findField(String name) {
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (f.getName().equals(name) && !Modifier.isStatic(f.getModifiers())) {
          return f;
        }
      }
    }
    return null;
  }

  /** java.beans.Introspector's rule: {@code Name} → {@code name}, but {@code URL} stays. */
  static String decapitalize(String s) {
    if (s.isEmpty() || (s.length() > 1 && Character.isUpperCase(s.charAt(1)) && Character.isUpperCase(s.charAt(0)))) {
      return s;
    }
    return Character.toLowerCase(s.charAt(0)) + s.substring(1);
  }

  private static String capitalize(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  private static final class ByName implements Comparator<Getter> {
    static final ByName INSTANCE = new ByName();

    @Override
    public int compare(Getter a, Getter b) {
      return a.name().compareTo(b.name());
    }
  }
}
