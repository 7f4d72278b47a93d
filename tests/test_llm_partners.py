"""LLM-driven humanoids with scripted replies: the humanoid planned over its own skills
through the parallel env, the message channel between the agents (prompts, observations,
snapshots), the simulated-user mode, and the two-agent evaluation loop."""

import pytest

pytest.importorskip("pettingzoo")

import embodied  # noqa: E402,F401
from embodied.envs import parallel_env  # noqa: E402
from embodied.errors import ConfigError  # noqa: E402
from embodied.evaluation import run_episode  # noqa: E402
from embodied.policies.planners.backends import ScriptedBackend  # noqa: E402
from embodied.policies.planners.llm import LLMPlanner, LLMPlannerConfig  # noqa: E402
from embodied.policies.planners.reply import SAY, STOP, ReplyError, gbnf, parse_reply  # noqa: E402


def reply(call, thought="next"):
    return f"Thought: {thought}\n{call}\n{STOP}"


def make_env(max_steps=750):
    return parallel_env("social_rearrange", split="val", action_mode="skills", max_steps=max_steps)


def planner(agent, replies, **config):
    backend = ScriptedBackend(replies)
    return LLMPlanner(LLMPlannerConfig(agent=agent, example=False, **config), backend), backend


def test_say_parses_free_text_and_its_grammar_allows_any_line():
    options = {"Pick[mug_0]": 4, "Done[]": None, SAY: None}
    call = parse_reply("Thought: split the work\nSay[I'll take the mug, you take the cup]", options)
    assert call.message == "I'll take the mug, you take the cup"
    with pytest.raises(ReplyError, match="needs a message"):
        parse_reply("Say[ ]", options)
    with pytest.raises(ReplyError, match="unknown tool 'Say'"):
        parse_reply("Say[hello]", {"Pick[mug_0]": 4})        # not offered: not a tool
    grammar = gbnf(options)
    assert '"Say[" message "]"' in grammar and "message ::= [^\\]\\n]+" in grammar


def test_llm_humanoid_picks_and_places_with_its_own_skills():
    env = make_env()
    env.reset(seed=2)
    task = env.task
    target = task.targets[0]
    replies = [reply(f"Pick[{target.object}]"), reply(f"Place[{target.goal}]"), reply("Done[]")]
    human, backend = planner("human0", replies, world_objects="task")
    robot, _ = planner("robot", [reply("Wait[]")], max_replans=200)
    result = run_episode(env, robot, 2, humanoid_policy=human)
    first = backend.prompts[0][-1]["content"]
    assert first.startswith(f"Task: Move {target.object}") and "(a robot)" in first
    assert "Other agent: " in first and "Possible Actions:" in first
    assert backend.calls == 3                       # each call once its skill had ended
    m = result["metrics"]
    assert m["humanoid_llm_calls"] == 3 and m["humanoid_planner_done"] == 1.0
    assert m["stage_goals_reached"] >= 2 if "stage_goals_reached" in m else m["percent_complete"] >= 50
    # the robot only waited: the humanoid moved target 0 itself
    assert task.tally.placed_by[0] == "human0"
    # the robot's results came back to it: the humanoid's second prompt held its own result
    assert backend.prompts[1][-1]["content"].startswith("Result: Successful execution!")


def test_messages_reach_the_other_agents_prompt_and_observation_and_snapshots():
    env = make_env(max_steps=120)
    obs, _ = env.reset(seed=2)
    task = env.task
    assert obs["robot"]["messages"] == ""
    say = "I'll take the mug, you take the cup"
    human, _ = planner("human0", [reply(f"Say[{say}]"), reply("Wait[]")], say=True)
    robot, robot_backend = planner("robot", [reply("Wait[]")], max_replans=500)
    human.reset(env, 2)
    robot.reset(env, 2)
    wait = human.act(obs["human0"], env)                  # says it, then waits
    assert human.metrics["messages_sent"] == 1 and task.messages == [(0, "human0", say)]
    snap = task.snapshot()
    obs, *_ = env.step({"robot": robot.act(obs["robot"], env), "human0": wait})
    assert obs["robot"]["messages"] == f"human0: {say}"
    assert obs["human0"]["messages"] == ""              # its own words are not news to it
    assert env.observation_space("robot").contains(obs["robot"])
    assert f"Messages:\nhuman0: {say}" in robot_backend.prompts[0][-1]["content"]
    robot.act(obs["robot"], env)
    assert "Messages:" not in robot_backend.prompts[1][-1]["content"]   # read once
    task.post_message("robot", "ok\n\tthanks \u00e9")
    assert task.messages[-1][2] == "ok thanks ?"           # one printable line
    task.restore(snap)
    assert task.messages == [(0, "human0", say)]


def test_simulated_user_instructs_a_robot_that_is_not_told_the_task():
    env = make_env()
    env.reset(seed=2)
    target = env.task.targets[0]
    ask = f"Please put {target.object} on {target.goal}"
    user, user_backend = planner("human0", [reply(f"Say[{ask}]"), reply("Wait[]")], mode="user",
                                 persona="You are Ana, who likes a tidy kitchen.", max_replans=200)
    steps = [reply(f"Navigate[{target.object}]"), reply(f"Pick[{target.object}]"),
             reply(f"Navigate[{target.goal}]"), reply(f"Place[{target.goal}]"), reply("Done[]")]
    robot, robot_backend = planner("robot", steps, mode="assistant")
    result = run_episode(env, robot, 2, humanoid_policy=user)
    robot_first = robot_backend.prompts[0][-1]["content"]
    assert target.goal not in robot_first.split("Furniture:")[0]     # the task is hidden
    assert "Say[message]" in robot_first
    # both decide at the first step (the robot first): the request reaches its next prompt
    assert f"Messages:\nhuman0: {ask}" in robot_backend.prompts[1][-1]["content"]
    user_first = user_backend.prompts[0]
    assert "Ana" in user_first[0]["content"] and "does not know it" in user_first[-1]["content"]
    assert result["metrics"]["humanoid_messages_sent"] >= 1
    assert env.task.tally.placed_by[0] == "robot"


def test_planning_the_humanoid_needs_the_external_partner_and_a_channel():
    import gymnasium as gym

    env = gym.make("embodied/SocialRearrange-v1", split="val", action_mode="skills")
    env.reset(seed=0)
    with pytest.raises(ConfigError, match="partner=external"):
        planner("human0", [reply("Wait[]")])[0].reset(env, 0)
    with pytest.raises(ConfigError, match="would tell an assistant"):
        LLMPlannerConfig(mode="assistant", world_objects="task")
    with pytest.raises(ConfigError, match="agent"):
        LLMPlannerConfig(agent="dog")
    env.close()


def test_modes_belong_to_their_agent():
    with pytest.raises(ConfigError, match="mode of the human0"):
        LLMPlannerConfig(mode="user")                      # the robot is never the user
    with pytest.raises(ConfigError, match="mode of the robot"):
        LLMPlannerConfig(agent="human0", mode="assistant")
