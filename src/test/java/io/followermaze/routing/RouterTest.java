package io.followermaze.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.followermaze.protocol.Event;
import io.followermaze.protocol.EventParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouterTest {

  private final List<String> notified = new ArrayList<>();
  private final FollowGraph graph = new FollowGraph();
  private final Router router =
      new Router(
          graph,
          new Recipients() {
            @Override
            public void user(int user, Event event) {
              notified.add(user + "<-" + event.sequence());
            }

            @Override
            public void everyoneConnected(Event event) {
              notified.add("all<-" + event.sequence());
            }
          });

  private void route(String line) {
    router.route((Event) EventParser.parse((line + "\n").getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void followNotifiesTheFollowedUserAndRecordsTheFollow() {
    route("1|F|60|50");
    assertThat(notified).containsExactly("50<-1");
    assertThat(graph.follows(60, 50)).isTrue();
  }

  @Test
  void unfollowNotifiesNobodyAndRemovesTheFollow() {
    route("1|F|60|50");
    notified.clear();
    route("2|U|60|50");
    assertThat(notified).isEmpty();
    assertThat(graph.follows(60, 50)).isFalse();
    assertThat(graph.edgeCount()).isZero();
  }

  @Test
  void broadcastNotifiesEveryoneConnected() {
    route("3|B");
    assertThat(notified).containsExactly("all<-3");
  }

  @Test
  void privateMessageNotifiesOnlyTheRecipient() {
    route("4|P|32|56");
    assertThat(notified).containsExactly("56<-4");
  }

  @Test
  void statusUpdateNotifiesEveryCurrentFollowerOnly() {
    route("1|F|1|9");
    route("2|F|2|9");
    route("3|F|3|9");
    route("4|U|2|9");
    route("5|F|9|1");
    notified.clear();
    route("6|S|9");
    assertThat(notified).containsExactlyInAnyOrder("1<-6", "3<-6");
  }

  @Test
  void statusUpdateOfAUserWithoutFollowersNotifiesNobody() {
    route("7|S|42");
    assertThat(notified).isEmpty();
  }

  @Test
  void followingTwiceAndUnfollowingAStrangerChangeNothing() {
    route("1|F|1|2");
    route("2|F|1|2");
    route("3|U|5|2");
    assertThat(graph.edgeCount()).isEqualTo(1);
    route("4|U|1|2");
    assertThat(graph.edgeCount()).isZero();
  }
}
