"""The skill library: one vocabulary for every agent kind, checked against the episode."""

import math

import pytest

import embodied  # noqa: F401
from embodied.errors import ConfigError, NotFoundError
from embodied.scenes.home import HomeConfig
from embodied.skills import Status, default_library
from embodied.tasks.social_nav import SocialNavConfig, SocialNavTask
from embodied.tasks.social_nav.config import V0


@pytest.fixture(scope="module")
def episode():
    task = SocialNavTask(SocialNavConfig(**V0, max_steps=2000, home=HomeConfig(static_objects=False)), "val")
    task.reset(3)
    yield task
    task.close()


def run(world, agent, skill, steps=900):
    world.entity(agent).run(skill)
    for _ in range(steps):
        if not skill.running:
            break
        world.step()
    return skill


def test_the_library_describes_its_tools_per_agent_kind():
    library = default_library()
    text = library.describe("humanoid")
    assert "Navigate[target]: go next to" in text and "Pick[object]" in text
    assert "Wait[[seconds]]" in text
    assert library.names("robot") == library.names("humanoid") == ["navigate", "pick", "place", "wait"]
    assert library.spec("Navigate") is library.spec("navigate")
    with pytest.raises(NotFoundError, match="no skill named 'fly'; available: navigate"):
        library.spec("fly")


def test_agents_run_library_skills_in_a_home(episode):
    library, view = default_library(), episode.privileged()
    world, home = view.world, view.home
    robot_start = world.entity("robot").get_pose(world)
    goal = min(home.receptacles(), key=lambda f: -math.dist(f.pos, (robot_start.x, robot_start.y)))
    navigate = run(world, "robot", library.make("navigate", view, "robot", target=goal.name))
    assert navigate.status is Status.DONE, navigate.reason
    robot = world.entity("robot").get_pose(world)
    assert math.dist((robot.x, robot.y), navigate.goal) < 0.35
    # the humanoid takes an object of its room to another receptacle
    human = world.entity("human0")
    obj = min(home.objects, key=lambda o: math.dist(o.pos[:2], human.xy))
    pick = run(world, "human0", library.make("pick", view, "human0", object=obj.name))
    assert pick.status is Status.DONE, pick.reason
    assert human.held_object(world) == home.object_body_name(obj.name)
    target = next(f for f in sorted(home.receptacles(), key=lambda f: math.dist(f.pos, human.xy))
                  if f.name != obj.receptacle)
    place = run(world, "human0", library.make("place", view, "human0", furniture=target.name))
    assert place.status is Status.DONE, place.reason
    assert human.held_object(world) is None
    from embodied.skills import robot as robot_skills

    pick = library.make("pick", view, "robot", object=obj.name)
    assert isinstance(pick, robot_skills.Pick) and pick.object == home.object_body_name(obj.name)
    place = library.make("place", view, "robot", furniture=target.name)
    assert isinstance(place, robot_skills.Place) and place.furniture == target.name
    wait = run(world, "robot", library.make("wait", view, "robot", seconds=0.5))
    assert wait.status is Status.DONE and wait.steps == 15


def test_wrong_calls_name_what_is_wrong(episode):
    library, view = default_library(), episode.privileged()
    with pytest.raises(NotFoundError, match="no furniture piece, object or agent named 'throne'"):
        library.make("navigate", view, "robot", target="throne")
    with pytest.raises(NotFoundError, match="no object named 'sofa_0'"):
        library.make("pick", view, "human0", object="sofa_0")
    with pytest.raises(ConfigError, match="navigate.goal.*unknown argument"):
        library.make("navigate", view, "robot", goal="sofa_0")
    with pytest.raises(ConfigError, match="navigate.target.*missing"):
        library.make("navigate", view, "robot")
    with pytest.raises(NotFoundError, match="no entity named 'human7'"):
        library.make("wait", view, "human7")
