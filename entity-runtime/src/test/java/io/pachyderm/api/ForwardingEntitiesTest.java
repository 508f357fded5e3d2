package io.pachyderm.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.entity.EntityRef;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@link ForwardingEntities} forwards every method of {@link Entities}, the defaults included: for
 * each method (found by reflection, so a method added to {@code Entities} later is covered), a call
 * on the forwarder reaches the delegate as that same method with the same arguments, and the
 * delegate's answer comes back unchanged.
 */
class ForwardingEntitiesTest {
  private record Received(Method method, Object[] args) {}

  @Test
  void everyMethodOfEntitiesReachesTheDelegateAsItselfWithItsArgumentsAndAnswer() throws Exception {
    List<Method> methods = Arrays.stream(Entities.class.getMethods())
        .filter(m -> !Modifier.isStatic(m.getModifiers())).toList();
    assertThat(methods).as("the reflection sees Entities' methods, defaults too").hasSizeGreaterThan(10)
        .anyMatch(Method::isDefault);

    for (Method m : methods) {
      List<Received> received = new ArrayList<>();
      Object answer = answerFor(m.getReturnType());
      Entities delegate = (Entities) Proxy.newProxyInstance(Entities.class.getClassLoader(),
          new Class<?>[] {Entities.class}, (proxy, method, args) -> {
            received.add(new Received(method, args == null ? new Object[0] : args));
            return answer;
          });
      ForwardingEntities forwarder = new ForwardingEntities() {
        @Override
        protected Entities delegate() {
          return delegate;
        }
      };
      Object[] args = argumentsFor(m.getParameterTypes());

      Object returned = m.invoke(forwarder, args);

      assertThat(received).as(m.toGenericString()).hasSize(1);
      assertThat(received.get(0).method()).as(m.toGenericString()).isEqualTo(m);
      assertThat(received.get(0).args()).as(m.toGenericString()).containsExactly(args);
      if (m.getReturnType().isPrimitive()) {
        assertThat(returned).as(m.toGenericString()).isEqualTo(answer);
      } else {
        assertThat(returned).as(m.toGenericString()).isSameAs(answer);
      }
    }
  }

  /** Distinct, recognisable arguments: the same objects must arrive at the delegate. */
  private static Object[] argumentsFor(Class<?>[] types) {
    Object[] args = new Object[types.length];
    for (int i = 0; i < types.length; i++) {
      Class<?> t = types[i];
      if (t == long.class) {
        args[i] = 40L + i;
      } else if (t == int.class) {
        args[i] = 20 + i;
      } else if (t == boolean.class) {
        args[i] = Boolean.TRUE;
      } else if (t == String.class || t == Object.class) {
        args[i] = "arg" + i;
      } else if (t == ReadMode.class) {
        args[i] = ReadMode.STALE;
      } else if (t == EntityRef.class) {
        args[i] = new EntityRef<>("type" + i, "id" + i);
      } else if (t == Function.class) {
        args[i] = Function.identity();
      } else {
        args[i] = null; // a Query: only its arrival in the right position is checked
      }
    }
    return args;
  }

  /** An answer of the method's return type the forwarder must hand back as it is. */
  private static Object answerFor(Class<?> type) {
    if (type == long.class) {
      return 77L;
    }
    if (type == String.class || type == Object.class) {
      return "answer";
    }
    if (type == Duration.class) {
      return Duration.ofMillis(1234);
    }
    if (type == CompletableFuture.class) {
      return CompletableFuture.completedFuture("answer");
    }
    if (type == List.class) {
      return List.of();
    }
    if (type == EntityState.class) {
      return new EntityState<>("state", 3);
    }
    if (type == Reply.class) {
      return new Reply<>(3, "value", false);
    }
    if (type.isInterface()) {
      return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, a) -> null);
    }
    throw new AssertionError("no answer for " + type + ": teach the test this return type");
  }
}
