package io.pachyderm.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TypeRegistryTest {

  sealed interface Shape permits Circle, Polygon {}

  record Circle(int radius) implements Shape {}

  sealed interface Polygon extends Shape permits Square, Triangle {}

  record Square(int side) implements Polygon {}

  record Triangle(int base, int height) implements Polygon {}

  /** A sealed but concrete class: registered itself and with its subclasses. */
  static sealed class Animal permits Dog {}

  static final class Dog extends Animal {}

  static final class First {
    record Point(int x) {}
  }

  static final class Second {
    record Point(int x) {}
  }

  @Test
  void aSealedInterfaceRegistersEveryPermittedRecordRecursivelyButNotItself() {
    TypeRegistry registry = TypeRegistry.builder().register(Shape.class).build();

    assertThat(registry.names()).containsExactly("Circle", "Square", "Triangle");
    assertThat(registry.classOf("Square")).isEqualTo(Square.class);
    assertThat(registry.nameOf(Triangle.class)).isEqualTo("Triangle");
    assertThat(registry.isRegistered(Shape.class)).isFalse();
    assertThat(registry.isRegistered(Polygon.class)).isFalse();
  }

  @Test
  void aConcreteSealedClassIsRegisteredTogetherWithItsSubclasses() {
    TypeRegistry registry = TypeRegistry.builder().register(Animal.class).build();

    assertThat(registry.nameOf(Animal.class)).isEqualTo("Animal");
    assertThat(registry.nameOf(Dog.class)).isEqualTo("Dog");
  }

  @Test
  void registeringTheSameClassTwiceIsANoOp() {
    TypeRegistry registry = TypeRegistry.builder().register(Shape.class).register(Circle.class)
        .register(Shape.class).build();

    assertThat(registry.names()).containsExactly("Circle", "Square", "Triangle");
  }

  @Test
  void anExplicitNameIsUsedInsteadOfTheSimpleName() {
    TypeRegistry registry = TypeRegistry.builder().register("geo.circle", Circle.class).register(Shape.class).build();

    assertThat(registry.nameOf(Circle.class)).isEqualTo("geo.circle");
    assertThat(registry.classOf("geo.circle")).isEqualTo(Circle.class);
    assertThat(registry.classOf("Circle")).isNull();
  }

  @Test
  void twoClassesWithTheSameSimpleNameAreRefusedNamingBoth() {
    TypeRegistry.Builder builder = TypeRegistry.builder().register(First.Point.class);

    assertThatThrownBy(() -> builder.register(Second.Point.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'Point'")
        .hasMessageContaining(First.Point.class.getName())
        .hasMessageContaining(Second.Point.class.getName());
  }

  @Test
  void aClassAlreadyRegisteredUnderAnotherNameIsPointedToAlias() {
    TypeRegistry.Builder builder = TypeRegistry.builder().register(Circle.class);

    assertThatThrownBy(() -> builder.register("round", Circle.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("already registered as 'Circle'")
        .hasMessageContaining("alias()");
  }

  @Test
  void anAliasResolvesToTheClassButIsNeverItsWrittenName() {
    TypeRegistry registry = TypeRegistry.builder().register(Circle.class).alias("Disc", Circle.class).build();

    assertThat(registry.classOf("Disc")).isEqualTo(Circle.class);
    assertThat(registry.nameOf(Circle.class)).isEqualTo("Circle");
    assertThat(registry.names()).containsExactly("Circle", "Disc");
  }

  @Test
  void anAliasThatAlreadyNamesAnotherClassIsRefused() {
    TypeRegistry.Builder builder = TypeRegistry.builder().register(Shape.class);

    assertThatThrownBy(() -> builder.alias("Square", Circle.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'Square'")
        .hasMessageContaining(Square.class.getName());
  }

  @Test
  void blankOrOverlongTypeNamesAreRefused() {
    TypeRegistry.Builder builder = TypeRegistry.builder();

    assertThatThrownBy(() -> builder.register("", Circle.class)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder.register("   ", Circle.class)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder.register("x".repeat(201), Circle.class))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder.alias("", Circle.class)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void schemaVersionsDefaultToOneAndCanBeRaised() {
    TypeRegistry registry = TypeRegistry.builder().register(Shape.class).version(Square.class, 3).build();

    assertThat(registry.versionOf(Square.class)).isEqualTo(3);
    assertThat(registry.versionOf(Circle.class)).isEqualTo(1);
  }

  @Test
  void aSchemaVersionForAnUnregisteredClassIsRefusedAtBuild() {
    TypeRegistry.Builder builder = TypeRegistry.builder().register(Circle.class).version(Square.class, 2);

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(Square.class.getName());
  }

  @Test
  void aSchemaVersionBelowOneIsRefused() {
    assertThatThrownBy(() -> TypeRegistry.builder().version(Circle.class, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was 0");
  }
}
