package dev.pilotlight.runner;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Converts parsed JSON ({@link JsonParser}'s maps, lists and scalars) to a handler's declared input
 * type, following generic types into nested POJOs, records, lists, maps and arrays.
 *
 * <p>POJOs are built with their no-arg constructor, then each JSON key goes to the matching setter
 * or field ({@link BeanProperties#setter}); unknown keys are ignored. Value types without JSON
 * structure (joda/java.time dates, UUID…) are built from a string through a static {@code
 * valueOf}/{@code parse}/{@code fromString} method or a one-string constructor.
 */
final class JsonBinder {
  private JsonBinder() {}

  /**
   * The event bound to the handler's input type.
   *
   * @throws IllegalArgumentException naming the type and, below the top, the field that does not bind:
   *     {@code cannot bind the event to example.Cart, field 'lines[0].qty': cannot convert JSON string to
   *     java.lang.Integer}
   */
  static Object bind(Object json, Type type) {
    try {
      return convert(json, type);
    } catch (IllegalArgumentException e) {
      throw FieldFailure.describe(type, e);
    }
  }

  /**
   * A failure below the top of the event, with the path to it ({@code lines[0].qty}); {@link #bind}
   * turns it into the message. No stack trace of its own: the cause has the one that matters. Only
   * its own static methods make or name one, so a function whose event binds never loads it.
   */
  static final class FieldFailure extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    final String path;
    final String detail;

    FieldFailure(String path, String detail, Throwable cause) {
      super("field '" + path + "': " + detail, cause);
      this.path = path;
      this.detail = detail;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this; // made once per level on the way up; only the cause's trace is reported
    }

    /** {@code e}, raised at {@code segment} ({@code name} or {@code [i]}) below its parent. */
    static IllegalArgumentException at(String segment, IllegalArgumentException e) {
      if (e instanceof FieldFailure f) {
        String joined = f.path.startsWith("[") ? segment + f.path : segment + "." + f.path;
        return new FieldFailure(joined, f.detail, f.getCause());
      }
      return new FieldFailure(segment, String.valueOf(e.getMessage()), e);
    }

    static IllegalArgumentException of(String path, String detail) {
      return new FieldFailure(path, detail, null);
    }

    /** The error a handler gets: the type, the field when below the top, and what went wrong. */
    static IllegalArgumentException describe(Type type, IllegalArgumentException e) {
      if (e instanceof FieldFailure f) {
        return new IllegalArgumentException(
            "cannot bind the event to " + type.getTypeName() + ", field '" + f.path + "': " + f.detail, f.getCause());
      }
      return new IllegalArgumentException("cannot bind the event to " + type.getTypeName() + ": " + e.getMessage(), e);
    }
  }

  static Object convert(Object json, Type type) {
    if (type instanceof TypeVariable<?> || type instanceof WildcardType) {
      type = rawClass(type);
    }
    Class<?> raw = rawClass(type);
    if (raw.isPrimitive()) {
      return json == null ? JsonScalars.defaultValue(raw) : JsonScalars.scalar(json, JsonScalars.wrapperOf(raw));
    }
    if (json == null) {
      return raw == Optional.class ? Optional.empty() : null;
    }
    if (raw == Object.class) {
      return json;
    }
    if (raw == String.class) {
      return json instanceof String ? json : JsonWriter.write(json);
    }
    if (Number.class.isAssignableFrom(raw) || raw == Boolean.class || raw == Character.class) {
      return JsonScalars.scalar(json, raw);
    }
    if (raw == byte[].class) {
      return JsonScalars.bytes(json);
    }
    if (raw == InputStream.class) {
      return new ByteArrayInputStream(JsonWriter.writeUtf8(json));
    }
    if (raw.isEnum()) {
      return JsonScalars.enumConstant(json, raw);
    }
    if (Map.class.isAssignableFrom(raw)) {
      return map(json, type, raw);
    }
    if (Collection.class.isAssignableFrom(raw) || raw == Iterable.class) {
      return collection(json, type, raw);
    }
    if (raw.isArray()) {
      return array(json, type, raw);
    }
    if (raw == Optional.class) {
      return Optional.ofNullable(convert(json, typeArgument(type, 0)));
    }
    if (raw.isInstance(json)) {
      return json;
    }
    if (json instanceof String || json instanceof Number) {
      Object value = JsonScalars.fromScalar(json, raw);
      if (value != null) {
        return value;
      }
    }
    if (json instanceof Map<?, ?> object) {
      if (raw.isRecord()) {
        return record(object, raw);
      }
      if (!raw.isInterface() && !Modifier.isAbstract(raw.getModifiers())) {
        return pojo(object, type, raw);
      }
    }
    throw JsonScalars.mismatch(json, type);
  }

  static Class<?> rawClass(Type type) {
    if (type instanceof Class<?> c) {
      return c;
    }
    if (type instanceof ParameterizedType p) {
      return (Class<?>) p.getRawType();
    }
    if (type instanceof GenericArrayType g) {
      return Array.newInstance(rawClass(g.getGenericComponentType()), 0).getClass();
    }
    if (type instanceof TypeVariable<?> v) {
      return rawClass(v.getBounds()[0]);
    }
    if (type instanceof WildcardType w) {
      return rawClass(w.getUpperBounds()[0]);
    }
    return Object.class;
  }

  private static Type typeArgument(Type type, int index) {
    return type instanceof ParameterizedType p ? p.getActualTypeArguments()[index] : Object.class;
  }

  @SuppressWarnings("unchecked")
  private static Object map(Object json, Type type, Class<?> raw) {
    if (!(json instanceof Map<?, ?> object)) {
      throw JsonScalars.mismatch(json, type);
    }
    Map<Object, Object> result;
    if (raw.isInterface() || Modifier.isAbstract(raw.getModifiers())) {
      if (SortedMap.class.isAssignableFrom(raw)) {
        result = new TreeMap<>();
      } else if (ConcurrentMap.class.isAssignableFrom(raw)) {
        result = new ConcurrentHashMap<>();
      } else {
        result = new LinkedHashMap<>();
      }
    } else {
      result = (Map<Object, Object>) instantiate(raw);
    }
    Type keyType = typeArgument(type, 0);
    Type valueType = typeArgument(type, 1);
    boolean stringKeys = keyType == String.class || keyType == Object.class || !(keyType instanceof Class);
    for (Map.Entry<?, ?> entry : object.entrySet()) {
      String name = String.valueOf(entry.getKey());
      Object key = stringKeys ? entry.getKey() : convertAt(entry.getKey(), keyType, name);
      result.put(key, convertAt(entry.getValue(), valueType, name));
    }
    return result;
  }

  @SuppressWarnings("unchecked")
  private static Object collection(Object json, Type type, Class<?> raw) {
    if (!(json instanceof List<?> list)) {
      throw JsonScalars.mismatch(json, type);
    }
    Collection<Object> result;
    if (raw.isInterface() || Modifier.isAbstract(raw.getModifiers())) {
      if (SortedSet.class.isAssignableFrom(raw)) {
        result = new TreeSet<>();
      } else if (Set.class.isAssignableFrom(raw)) {
        result = new LinkedHashSet<>();
      } else if (Queue.class.isAssignableFrom(raw)) {
        result = new ArrayDeque<>();
      } else {
        result = new ArrayList<>(list.size());
      }
    } else {
      result = (Collection<Object>) instantiate(raw);
    }
    Type elementType = typeArgument(type, 0);
    int i = 0;
    for (Object element : list) {
      result.add(convertAt(element, elementType, i));
      i++;
    }
    return result;
  }

  private static Object array(Object json, Type type, Class<?> raw) {
    if (!(json instanceof List<?> list)) {
      throw JsonScalars.mismatch(json, type);
    }
    Type componentType =
        type instanceof GenericArrayType g ? g.getGenericComponentType() : raw.getComponentType();
    Object array = Array.newInstance(raw.getComponentType(), list.size());
    for (int i = 0; i < list.size(); i++) {
      Array.set(array, i, convertAt(list.get(i), componentType, i));
    }
    return array;
  }

  private static Object record(Map<?, ?> object, Class<?> raw) {
    RecordComponent[] components = raw.getRecordComponents();
    Class<?>[] types = new Class<?>[components.length];
    Object[] args = new Object[components.length];
    for (int i = 0; i < components.length; i++) {
      String name = components[i].getName();
      types[i] = components[i].getType();
      Object value = object.get(name);
      if (value == null) {
        for (Map.Entry<?, ?> entry : object.entrySet()) {
          if (name.equalsIgnoreCase(String.valueOf(entry.getKey()))) {
            value = entry.getValue();
          }
        }
      }
      args[i] = convertAt(value, components[i].getGenericType(), name);
    }
    try {
      Constructor<?> constructor = raw.getDeclaredConstructor(types);
      constructor.trySetAccessible();
      return constructor.newInstance(args);
    } catch (InvocationTargetException e) {
      throw new IllegalArgumentException("constructor of " + raw.getName() + " threw " + e.getCause(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalArgumentException("cannot construct record " + raw.getName(), e);
    }
  }

  private static Object pojo(Map<?, ?> object, Type type, Class<?> raw) {
    Object bean = instantiate(raw);
    BeanProperties properties = BeanProperties.of(raw);
    for (Map.Entry<?, ?> entry : object.entrySet()) {
      String key = String.valueOf(entry.getKey());
      BeanProperties.Setter setter = properties.setter(key);
      if (setter != null) {
        Type propertyType = resolveVariable(setter.type(), type, raw);
        Object value = convertAt(entry.getValue(), propertyType, key);
        try {
          setter.set(bean, value);
        } catch (IllegalArgumentException e) {
          throw FieldFailure.at(key, e);
        }
      } else if (entry.getValue() != null) {
        String readOnly = properties.finalField(key);
        if (readOnly != null) {
          // The class holds this data but offers no way to receive it: dropping the key would hand
          // the handler an empty object (S3Event's Records did exactly that), so it is an error.
          throw FieldFailure.of(key, raw.getName() + "." + readOnly + " is final and has no setter");
        }
      }
    }
    return bean;
  }

  private static Object convertAt(Object json, Type type, int index) {
    try {
      return convert(json, type);
    } catch (IllegalArgumentException e) {
      throw FieldFailure.at("[" + index + "]", e);
    }
  }

  private static Object convertAt(Object json, Type type, String segment) {
    try {
      return convert(json, type);
    } catch (IllegalArgumentException e) {
      throw FieldFailure.at(segment, e);
    }
  }

  /** {@code T data} in {@code Wrapper<T>}, bound as {@code Wrapper<Order>}, becomes {@code Order}. */
  private static Type resolveVariable(Type propertyType, Type owner, Class<?> raw) {
    if (propertyType instanceof TypeVariable<?> variable && owner instanceof ParameterizedType p) {
      TypeVariable<?>[] declared = raw.getTypeParameters();
      for (int i = 0; i < declared.length; i++) {
        if (declared[i].equals(variable)) {
          return p.getActualTypeArguments()[i];
        }
      }
    }
    return propertyType;
  }

  private static Object instantiate(Class<?> raw) {
    try {
      Constructor<?> constructor = raw.getDeclaredConstructor();
      constructor.trySetAccessible();
      return constructor.newInstance();
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException(raw.getName() + " has no no-arg constructor", e);
    } catch (InvocationTargetException e) {
      throw new IllegalArgumentException("constructor of " + raw.getName() + " threw " + e.getCause(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalArgumentException("cannot instantiate " + raw.getName(), e);
    }
  }
}
