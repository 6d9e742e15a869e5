package io.followermaze.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.constructors;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaConstructor;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import io.followermaze.dlq.DeadLetterCollector;
import io.followermaze.lifecycle.Roles;
import java.util.Set;
import java.util.concurrent.Executors;

/** The package rules the layout promises, checked on every build. */
@AnalyzeClasses(packages = "io.followermaze", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule noCyclesBetweenPackages =
      slices().matching("io.followermaze.(**)").should().beFreeOfCycles();

  @ArchTest
  static final ArchRule onlyTheCommandLineImportsTheKafkaIntegration =
      noClasses()
          .that()
          .resideOutsideOfPackages("io.followermaze.kafka..", "io.followermaze.cli..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.followermaze.kafka..");

  @ArchTest
  static final ArchRule onlyTheKafkaIntegrationSpeaksKafka =
      noClasses()
          .that()
          .resideOutsideOfPackage("io.followermaze.kafka..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("org.apache.kafka..");

  @ArchTest
  static final ArchRule theDeadLetterPortsKnowNoStore =
      noClasses()
          .that()
          .resideInAPackage("io.followermaze.dlq")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.followermaze.dlq.sqlite..", "io.followermaze.kafka..", "java.sql..");

  @ArchTest
  static final ArchRule theRedriverWorksThroughPorts =
      noClasses()
          .that()
          .resideInAPackage("io.followermaze.redrive..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.followermaze.engine..",
              "io.followermaze.server..",
              "io.followermaze.delivery..",
              "io.followermaze.dlq.sqlite..",
              "io.followermaze.kafka..");

  @ArchTest
  static final ArchRule theBenchIsIndependentOfTheServer =
      noClasses()
          .that()
          .resideInAPackage("io.followermaze.bench..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.followermaze.engine..",
              "io.followermaze.server..",
              "io.followermaze.dlq..",
              "io.followermaze.delivery..",
              "io.followermaze.routing..",
              "io.followermaze.sequencing..",
              "io.followermaze.protocol..",
              "io.followermaze.admin..",
              "io.followermaze.redrive..",
              "io.followermaze.kafka..");

  @ArchTest
  static final ArchRule theEngineCoreKnowsNoNetworkOrStore =
      noClasses()
          .that()
          .resideInAnyPackage(
              "io.followermaze.sequencing..",
              "io.followermaze.routing..",
              "io.followermaze.protocol..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.followermaze.server..",
              "io.followermaze.dlq.sqlite..",
              "io.followermaze.admin..",
              "io.followermaze.cli..",
              "java.sql..",
              "java.nio.channels..");

  @ArchTest
  static final ArchRule onlyTheLifecycleStartsPlatformThreads =
      noClasses()
          .that()
          .resideOutsideOfPackages("io.followermaze.lifecycle..", "io.followermaze.bench..")
          .should()
          .callMethod(Thread.class, "ofPlatform")
          .orShould()
          .callConstructorWhere(
              DescribedPredicate.describe(
                  "a thread's constructor",
                  call -> call.getTargetOwner().isAssignableTo(Thread.class)))
          .orShould()
          .callMethodWhere(
              DescribedPredicate.describe(
                  "a thread pool factory",
                  call -> call.getTargetOwner().isEquivalentTo(Executors.class)))
          .orShould()
          .callMethod(Runtime.class, "addShutdownHook", Thread.class)
          .because(
              "every long-running loop is a role of the process's one Roles (counted errors, one"
                  + " stop); the bench is a load generator, not the server");

  @ArchTest
  static final ArchRule virtualThreadsServeConnections =
      noClasses()
          .that()
          .resideOutsideOfPackages(
              "io.followermaze.server..", "io.followermaze.delivery..", "io.followermaze.bench..")
          .should()
          .callMethod(Thread.class, "ofVirtual")
          .orShould()
          .callMethod(Thread.class, "startVirtualThread", Runnable.class)
          .because("a virtual thread serves one connection; a loop of the process is a role");

  @ArchTest
  static final ArchRule noConstructorStartsAThread =
      constructors()
          .should(
              new ArchCondition<JavaConstructor>("not start a thread, a role or a server") {
                @Override
                public void check(JavaConstructor constructor, ConditionEvents events) {
                  for (JavaMethodCall call : constructor.getMethodCallsFromSelf()) {
                    if (startsAThread().test(call)) {
                      events.add(SimpleConditionEvent.violated(call, call.getDescription()));
                    }
                  }
                }
              })
          .because("an object is built, then started: a failed start closes what was built");

  @ArchTest
  static final ArchRule theAdminApiWorksThroughPorts =
      noClasses()
          .that()
          .resideInAPackage("io.followermaze.admin..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.followermaze.dlq.sqlite..", "io.followermaze.kafka..", "java.sql..")
          .because("the admin API reads and operates on dead letters through the dlq ports");

  private static DescribedPredicate<JavaMethodCall> startsAThread() {
    Set<String> roleStarts = Set.of("start", "every", "workers");
    return DescribedPredicate.describe(
        "a call that starts a thread, a role or a server",
        call -> {
          JavaClass owner = call.getTargetOwner();
          String name = call.getName();
          return (name.equals("start")
                  && (owner.isAssignableTo(Thread.class)
                      || owner.isAssignableTo(Thread.Builder.class)
                      || owner.isAssignableTo(com.sun.net.httpserver.HttpServer.class)
                      || owner.isAssignableTo(DeadLetterCollector.class)))
              || (owner.isAssignableTo(Roles.class) && roleStarts.contains(name));
        });
  }
}
