package io.pachyderm.node;

import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityType;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.entity.Query;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A document that grows by pages, for the query tests: its state can be made large (a megabyte)
 * while its named queries answer in a few bytes. One query throws on a missing page, one returns
 * null, one waits for a latch the test opens.
 */
final class TestDocument implements Entity<TestDocument.State, TestDocument.Command, TestDocument.Event> {
  record State(List<String> pages) {}

  sealed interface Command permits Append {}

  record Append(String page) implements Command {}

  sealed interface Event permits Appended {}

  record Appended(String page) implements Event {}

  /** Args of {@link #PAGE_LENGTH}: a 0-based page number. */
  record Page(int index) {}

  /** How many pages. */
  static final Query<State, Void, Integer> PAGES = Query.of("pages", Integer.class, s -> s.pages().size());

  /** The length of one page; throws IndexOutOfBoundsException for a page that does not exist. */
  static final Query<State, Page, Integer> PAGE_LENGTH =
      Query.of("page-length", Page.class, Integer.class, (s, page) -> s.pages().get(page.index()).length());

  /** The first page, or null for an empty document. */
  static final Query<State, Void, String> FIRST_PAGE =
      Query.of("first-page", String.class, s -> s.pages().isEmpty() ? null : s.pages().get(0));

  /** Opened by the test that checks that a query never holds up the apply path. */
  static volatile CountDownLatch gate = new CountDownLatch(0);

  /** The page count, after waiting (up to 30 s) for {@link #gate}. */
  static final Query<State, Void, Integer> PAGES_AFTER_GATE = Query.of("pages-after-gate", Integer.class, s -> {
    try {
      if (!gate.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the gate never opened");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted at the gate", e);
    }
    return s.pages().size();
  });

  static final EntityType<State, Command, Event> TYPE =
      EntityType.builder("test-document", new TestDocument(), State.class, Command.class, Event.class)
          .query(PAGES)
          .query(PAGE_LENGTH)
          .query(FIRST_PAGE)
          .query(PAGES_AFTER_GATE)
          .build();

  static final EntityTypes TYPES = EntityTypes.of(TYPE);

  @Override
  public State initial(String id) {
    return new State(List.of());
  }

  @Override
  public Decision<Event> handle(Command command, State state, Context ctx) {
    return Decision.emit(new Appended(((Append) command).page()));
  }

  @Override
  public State apply(Event event, State state) {
    List<String> pages = new ArrayList<>(state.pages());
    pages.add(((Appended) event).page());
    return new State(List.copyOf(pages));
  }
}
