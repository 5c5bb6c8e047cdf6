package dev.pilotlight.runner;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.util.HashMap;
import java.util.Map;

/**
 * Finds the actual type argument a class gives a generic interface somewhere up its hierarchy, so
 * {@code class Orders extends Base<Order>} with {@code Base<T> implements RequestHandler<T, R>}
 * yields {@code Order} for {@code RequestHandler}'s first parameter.
 */
final class TypeArguments {
  private TypeArguments() {}

  /** The {@code index}th argument of {@code generic} as seen from {@code type}; Object if raw. */
  static Type of(Class<?> type, Class<?> generic, int index) {
    Type found = find(type, generic, index, new HashMap<TypeVariable<?>, Type>());
    return found != null ? found : Object.class;
  }

  private static Type find(Type type, Class<?> generic, int index, Map<TypeVariable<?>, Type> outer) {
    Class<?> raw;
    Map<TypeVariable<?>, Type> bindings = new HashMap<>();
    if (type instanceof ParameterizedType p) {
      raw = (Class<?>) p.getRawType();
      TypeVariable<?>[] variables = raw.getTypeParameters();
      Type[] arguments = p.getActualTypeArguments();
      for (int i = 0; i < variables.length && i < arguments.length; i++) {
        Type argument = arguments[i];
        if (argument instanceof TypeVariable<?> v && outer.containsKey(v)) {
          argument = outer.get(v);
        }
        bindings.put(variables[i], argument);
      }
      if (raw == generic) {
        return arguments.length > index ? bindings.get(variables[index]) : Object.class;
      }
    } else if (type instanceof Class<?> c) {
      raw = c;
      if (raw == generic) {
        return Object.class; // implemented raw
      }
    } else {
      return null;
    }
    for (Type parent : raw.getGenericInterfaces()) {
      Type found = find(parent, generic, index, bindings);
      if (found != null) {
        return found;
      }
    }
    Type superclass = raw.getGenericSuperclass();
    return superclass != null ? find(superclass, generic, index, bindings) : null;
  }
}
